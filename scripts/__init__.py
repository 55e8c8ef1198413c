"""Developer tools run from a checkout (the demo generator, the Neo4j build); not installed."""
