//! Where a function's init time goes: times each step a function's `main` takes before it
//! asks the Lambda Runtime API for its first event, in a fresh process, then its first two
//! DynamoDB requests. `lambda-bench` runs it as it runs the functions (their environment,
//! HTTPS to DynamoDB, at full speed and at the 128 MB share) and BENCHMARKS.md reports it.

use std::time::Instant;

use project_session::observe::RequestReport;
use project_session::{logging, Config, DynamoStore};

fn main() {
    let started = Instant::now();
    let mut last = started;
    let mut step = move |name: &str| {
        let now = Instant::now();
        println!("{name:<40} {:>8.3} ms", (now - last).as_secs_f64() * 1000.0);
        last = now;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    step("tokio runtime");
    logging::init();
    step("tracing subscriber");
    let config = Config::from_env().expect("the function's environment");
    step("config from the environment");
    let store = DynamoStore::from_config(&config).expect("the DynamoDB client");
    step("DynamoDB client, as the functions build it");
    let _report = RequestReport::from_env("init-profile");
    step("request report");
    let describe = || {
        runtime.block_on(async {
            // A failed request (a refused handshake, say) must not print as a timing.
            if let Err(e) = store
                .client()
                .describe_table()
                .table_name(store.table())
                .send()
                .await
            {
                eprintln!("init-profile: DescribeTable failed: {e:?}");
                std::process::exit(1);
            }
        })
    };
    describe();
    step("first DynamoDB request (connect included)");
    describe();
    step("second DynamoDB request");
    println!(
        "{:<40} {:>8.3} ms",
        "in all",
        started.elapsed().as_secs_f64() * 1000.0
    );
}
