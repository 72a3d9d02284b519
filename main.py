"""Entry point: `python main.py [subcommand] ...` does what `grid-console` does."""

from console.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
