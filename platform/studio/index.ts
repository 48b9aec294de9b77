export { prepareStudio } from './build.ts';
