// The service plugin in the studio: a panel on each calendar showing its coming days and a due-date check.
import type { StudioExtensionApi } from 'kizuna/studio';
import CalendarPanel from './CalendarPanel.vue';

export default (studio: StudioExtensionApi) => {
  studio.contribute('record.panels', { id: 'service.calendar', component: CalendarPanel, objects: ['calendar'], order: 50 });
};
