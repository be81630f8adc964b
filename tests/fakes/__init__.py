"""Local stand-ins for the platforms' APIs, for tests through the real client libraries."""
