import { longPass } from './hostile-run.js';

longPass(0, 2);
