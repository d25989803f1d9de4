"""checklib.py -- what the Python end-to-end tests share: named checks that
each report their failure and let the others run, and expect()."""
import traceback


class Checks:
    def __init__(self):
        self.passed, self.failed = 0, []

    def run(self, name, fn, *args):
        try:
            fn(*args)
            self.passed += 1
        except Exception as e:  # each check reports and the others still run
            self.failed.append(name)
            print(f"FAIL {name}: {e}")
            if not isinstance(e, AssertionError):
                traceback.print_exc()

    def summary(self):
        """Prints the last line, "N passed, N failed"; returns the exit status."""
        print(f"{self.passed} passed, {len(self.failed)} failed")
        return 1 if self.failed else 0


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)
