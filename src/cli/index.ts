/**
 * Entry of dist/cli.js. A run asks git about the folder it starts in; those questions go out
 * first (earlyGit.ts), so git's processes run while Node loads and compiles the rest of the CLI
 * (some 30 ms here) rather than after it.
 */
import { askExecFactsEarly } from './earlyGit';

askExecFactsEarly(process.argv.slice(2));
// a require, not an import: imports are hoisted above the questions
require('./main');
