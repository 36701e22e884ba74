import { randomUUID } from 'node:crypto';

// A stand-in for the team's real projects API, which the original design's page posts the finished
// wizard to (`POST /api/projects` -> `{ project: { id } }`). It checks the one field every project
// needs and keeps nothing: the draft store is the point of this example, not the projects.
export async function POST(request: Request) {
  const data: unknown = await request.json().catch(() => null);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return Response.json({ error: 'The body must be the project as a JSON object' }, { status: 400 });
  }
  const { projectName } = data as { projectName?: unknown };
  if (typeof projectName !== 'string' || !projectName.trim()) {
    return Response.json({ error: 'Project name is required' }, { status: 400 });
  }
  return Response.json({ project: { id: randomUUID() } }, { status: 201 });
}
