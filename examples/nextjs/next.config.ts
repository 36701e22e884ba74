import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The API's URL is read at run time (PROJECT_SESSION_API_URL, app/layout.tsx), so one build
  // serves any API.
};

export default nextConfig;
