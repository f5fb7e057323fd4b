"""python -m venvshim ARGS: run the venvshim command installed with this package."""

import os
import sys

from . import CLINotFound, cli_env, cli_path


def main():
    try:
        cli = cli_path()
        env = cli_env()
    except CLINotFound as e:
        sys.stderr.write("{}\n".format(e))
        return 1
    sys.stdout.flush()
    # Replace this process: exit status, signals and the terminal are the CLI's.
    os.execve(cli, [cli] + sys.argv[1:], env)


if __name__ == "__main__":
    sys.exit(main())
