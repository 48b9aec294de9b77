// The dedupe plugin in the studio: a "Possible duplicates" panel with merge on contacts and companies.
import type { StudioExtensionApi } from 'kizuna/studio';
import DuplicatesPanel from './DuplicatesPanel.vue';

export default (studio: StudioExtensionApi) => {
  studio.contribute('record.panels', { id: 'dedupe.duplicates', component: DuplicatesPanel, objects: ['contact', 'company'], order: 50 });
};
