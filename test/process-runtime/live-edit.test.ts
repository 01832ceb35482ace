// Issue acceptance: on the process runtime (files already in place), saved files reach the
// backend (uvicorn --reload), the Celery worker (sync+restart) and Vite.
import { liveEditSuite } from '../helpers/live-edit.js';

liveEditSuite('process', { skip: false });
