"""Reads a JUnit XML file with junitparser, the library behind the
publish-unit-test-result GitHub Action (Debian: python3-junitparser), and
prints what a CI dashboard would show: one line per failed test, then
"<tests> tests, <failed> failed, <skipped> skipped"."""
import sys

import junitparser

xml = junitparser.JUnitXml.fromfile(sys.argv[1])
suites = [xml] if isinstance(xml, junitparser.TestSuite) else list(xml)
tests = failed = skipped = 0
for suite in suites:
    for case in suite:
        tests += 1
        kinds = [type(r) for r in case.result]
        if junitparser.Failure in kinds or junitparser.Error in kinds:
            failed += 1
            print(f"FAILED {case.classname} :: {case.name}")
        elif junitparser.Skipped in kinds:
            skipped += 1
print(f"{tests} tests, {failed} failed, {skipped} skipped")
