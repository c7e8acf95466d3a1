// Prints the failed tests of the JSON reports `npm test` writes (vitest and Playwright), a
// line each with the first lines of the error, so the end of a CI log names what failed.
import { existsSync, readFileSync } from "node:fs";

const MAX_ERROR_LINES = 6;

function firstLines(text) {
  return String(text ?? "")
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(0, MAX_ERROR_LINES)
    .map((line) => `        ${line.slice(0, 300)}`)
    .join("\n");
}

function vitestFailures(report) {
  const failures = [];
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter((test) => test.status === "failed");
    for (const test of failedTests) {
      failures.push({ title: `${file.name} › ${test.fullName}`, error: test.failureMessages?.[0] });
    }
    // A file that failed outside any test (an import error, a failing hook) has no failed test.
    if (failedTests.length === 0 && file.status === "failed") {
      failures.push({ title: file.name, error: file.message });
    }
  }
  return failures;
}

function playwrightFailures(report) {
  const failures = [];
  const walk = (suite, path) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        const last = test.results?.at(-1);
        if (test.status === "unexpected" || test.status === "flaky") {
          failures.push({
            title: `${[...path, spec.title].join(" › ")}${test.status === "flaky" ? " (flaky)" : ""}`,
            error: last?.error?.message,
          });
        }
      }
    }
    for (const child of suite.suites ?? []) walk(child, [...path, child.title]);
  };
  for (const suite of report.suites ?? []) walk(suite, [suite.title]);
  for (const error of report.errors ?? []) failures.push({ title: "(run)", error: error.message });
  return failures;
}

let any = false;
for (const [label, path, parse] of [
  ["unit", ".test-reports/unit.json", vitestFailures],
  ["integration", ".test-reports/integration.json", vitestFailures],
  ["e2e", ".test-reports/e2e.json", playwrightFailures],
]) {
  if (!existsSync(path)) continue;
  let failures;
  try {
    failures = parse(JSON.parse(readFileSync(path, "utf8")));
  } catch (error) {
    console.log(`  ${label}: could not read ${path}: ${error.message}`);
    continue;
  }
  for (const failure of failures) {
    any = true;
    console.log(`  ✗ ${label}: ${failure.title}`);
    if (failure.error) console.log(firstLines(failure.error));
  }
}
if (!any) console.log("  (no failed test recorded)");
