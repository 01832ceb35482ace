// Issue acceptance: on Docker, saved files reach the backend, the Celery worker and Vite.
import { dockerAvailable } from '../helpers/docker.js';
import { liveEditSuite } from '../helpers/live-edit.js';

liveEditSuite('docker', { skip: dockerAvailable() ? false : 'needs a Docker engine' });
