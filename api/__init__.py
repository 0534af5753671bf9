"""HTTP and CLI entry points: parse, authorise, call one service, answer."""
