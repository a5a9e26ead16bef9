"""C9: the operator's command line (Typer + Rich), one module per command group."""
