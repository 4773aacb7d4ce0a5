// Every test process seals personal data under the test data key (dataKey.ts installs it on import),
// also in tests that write rows without building an app.
import './dataKey.ts';
