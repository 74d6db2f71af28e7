import '@testing-library/jest-dom/vitest';
import { afterEach } from 'vitest';
import { cleanup, configure } from '@testing-library/react';

// findBy*/waitFor wait up to 10 s (default 1 s) on a busy machine.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => cleanup());
