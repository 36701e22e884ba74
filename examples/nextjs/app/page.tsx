import Link from 'next/link';

export default function Home() {
  return (
    <main className="page">
      <h1>Projects</h1>
      <p>
        <Link href="/projects/new">Create a project</Link>
      </p>
    </main>
  );
}
