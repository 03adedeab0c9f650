"""What the end-to-end test scripts share: reading their paths from the command line, running
their unittest cases, the options a --help lists, the articles they run on.

    if __name__ == "__main__":
        sys.exit(harness.run(__doc__, globals(), ["BINARY", "SOURCE_DIR"], ["SHARED_DIR"]))
"""
import glob
import os
import re
import subprocess
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


def help_options(binary, *command):
    """The options `claimx [command] --help` lists, in order: the first words of the lines of its
    Options section ("-j,--jobs" gives -j and --jobs)."""
    out = subprocess.run([binary, *command, "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    options, in_section = [], False
    for line in out.stdout.splitlines():
        if re.match(r"^[A-Z][\w ]*:$", line):
            in_section = line == "Options:"
            continue
        m = re.match(r"^\s+(-[\w-]+(?:,--?[\w-]+)*)", line)
        if in_section and m:
            options += m.group(1).split(",")
    assert options, f"no options read from claimx {' '.join(command)} --help"
    return options


def sample_inputs(source_dir, shared_dir):
    """The project's sample articles, and the seed article when ../shared is there."""
    paths = sorted(glob.glob(os.path.join(source_dir, "samples", "*.txt")))
    seed = os.path.join(shared_dir or "", "samples", "seed-article.txt")
    if shared_dir and os.path.exists(seed):
        paths.append(seed)
    return paths
