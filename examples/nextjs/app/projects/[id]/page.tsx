import Link from 'next/link';

// Where the wizard lands once the project is created (router.push(`/projects/${id}`)).
export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <main className="page">
      <h1>Project created</h1>
      <p data-testid="project-id">Project {id} is created, and its draft is cleared.</p>
      <p>
        <Link href="/projects/new">Create another project</Link>
      </p>
    </main>
  );
}
