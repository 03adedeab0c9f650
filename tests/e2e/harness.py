"""What the end-to-end test scripts share: reading their paths from the command line and
running their unittest cases.

    if __name__ == "__main__":
        sys.exit(harness.run(__doc__, globals(), ["BINARY", "SOURCE_DIR"], ["SHARED_DIR"]))
"""
import os
import sys
import unittest


def run(doc, names, required, optional=()):
    """Sets names[X] to the absolute path of each required argument, then of each optional one
    given (an argument not starting with "-"); the rest goes to unittest. Returns the exit code."""
    args = sys.argv[1:]
    if len(args) < len(required):
        print(doc.strip(), file=sys.stderr)
        return 2
    for name in required:
        names[name] = os.path.abspath(args.pop(0))
    for name in optional:
        if args and not args[0].startswith("-"):
            names[name] = os.path.abspath(args.pop(0))
    program = unittest.main(argv=[sys.argv[0]] + args, exit=False, verbosity=2)
    return 0 if program.result.wasSuccessful() else 1
