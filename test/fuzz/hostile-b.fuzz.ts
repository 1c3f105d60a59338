import { longPass } from './hostile-run.js';

longPass(1, 2);
