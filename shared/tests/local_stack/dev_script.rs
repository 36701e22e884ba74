//! The checks `scripts/dev.sh` makes before it starts anything (scripts/lib.sh), run as it runs them.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::process::Command;

use crate::stack::root;

/// `port_free PORT` from scripts/lib.sh.
fn port_free(port: u16) -> bool {
    Command::new("bash")
        .arg("-c")
        .arg("source scripts/lib.sh && port_free \"$1\"")
        .arg("port_free")
        .arg(port.to_string())
        .current_dir(root())
        .status()
        .expect("bash runs")
        .success()
}

/// A bind without SO_REUSEADDR, as the old check did.
fn plain_bind_succeeds(port: u16) -> bool {
    Command::new("python3")
        .args([
            "-c",
            "import socket,sys; socket.socket().bind(('127.0.0.1', int(sys.argv[1])))",
        ])
        .arg(port.to_string())
        // Its traceback for the expected EADDRINUSE is noise in the test output.
        .stderr(std::process::Stdio::null())
        .status()
        .expect("python3 runs")
        .success()
}

#[test]
fn a_port_a_stopped_server_left_in_time_wait_reads_as_free() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let (server_side, _) = listener.accept().unwrap();
    // The server closes first, so its end of the connection waits in TIME_WAIT, as after Ctrl-C.
    drop(server_side);
    drop(listener);
    let _ = client.read(&mut [0; 1]);
    drop(client);
    assert!(
        !plain_bind_succeeds(port),
        "the port is in TIME_WAIT, which a plain bind trips over"
    );
    assert!(port_free(port), "nothing listens on {port}");
}

#[test]
fn a_port_something_listens_on_reads_as_taken() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    assert!(!port_free(port));
    drop(listener);
    assert!(port_free(port));
}
