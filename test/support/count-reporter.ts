import type { Reporter, SerializedError, TestModule, TestSuite } from 'vitest/node';

/**
 * Prints the plain closing line CI reads: `N passed, N failed` (vitest's own summary is not read).
 * "failed" counts failed tests, plus every suite (a file or a describe block) that failed without a failed test
 * of its own (it threw while loading, or its beforeAll/afterAll threw, so its tests were skipped or never
 * defined), plus errors vitest caught outside any test: a run that fails can never read "0 failed".
 * Skipped tests are counted separately and never as passed.
 */
export default class CountReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = []): void {
    let passed = 0;
    let failedTests = 0;
    let failedSuites = 0;
    let skipped = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === 'passed') passed++;
        else if (s === 'failed') failedTests++;
        else skipped++;
      }
      const suites: Array<TestModule | TestSuite> = [m, ...m.children.allSuites()];
      const failing = (s: TestModule | TestSuite) => s.state() === 'failed' || s.errors().length > 0;
      // The innermost failing suite counts once (a describe whose beforeAll threw also fails its file).
      for (const s of suites) {
        if (failing(s) && [...s.children.allTests('failed')].length === 0 && ![...s.children.allSuites()].some(failing)) failedSuites++;
      }
    }
    const failed = failedTests + failedSuites + unhandledErrors.length;
    const why = [
      failedSuites ? `${failedSuites} ${failedSuites === 1 ? 'suite' : 'suites'} failed to run` : '',
      unhandledErrors.length ? `${unhandledErrors.length} unhandled ${unhandledErrors.length === 1 ? 'error' : 'errors'}` : '',
    ].filter(Boolean);
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${why.length ? ` (${why.join(', ')})` : ''}\n`);
  }
}
