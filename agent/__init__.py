"""The agent: graph, providers, verifier, settings and the faces (library, CLI, REPL, HTTP)."""
