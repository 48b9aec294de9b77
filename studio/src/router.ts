// Routes, each page its own chunk. Every page but sign-in and setup needs a session; the designer needs
// an admin. Metadata is loaded once before the first signed-in page.
import { createRouter, createWebHistory } from 'vue-router';
import { setUnauthorizedHandler } from './api/client.ts';
import { useMetadata } from './composables/useMetadata.ts';
import { useSession } from './composables/useSession.ts';

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes: [
    { path: '/sign-in', name: 'sign-in', component: () => import('./pages/SignInPage.vue'), meta: { public: true } },
    { path: '/setup', name: 'setup', component: () => import('./pages/SetupPage.vue'), meta: { public: true } },
    { path: '/set-password', name: 'set-password', component: () => import('./pages/SetPasswordPage.vue'), meta: { public: true } },
    { path: '/', name: 'home', component: () => import('./pages/HomePage.vue') },
    { path: '/account', name: 'account', component: () => import('./pages/AccountPage.vue') },
    { path: '/people/users', name: 'users', component: () => import('./pages/UsersPage.vue'), meta: { admin: true } },
    { path: '/people/teams', name: 'teams', component: () => import('./pages/TeamsPage.vue'), meta: { admin: true } },
    { path: '/people/roles', name: 'roles', component: () => import('./pages/RolesPage.vue'), meta: { admin: true } },
    { path: '/people/roles/:name', name: 'role', component: () => import('./pages/RoleEditorPage.vue'), meta: { admin: true } },
    { path: '/o/:object', name: 'list', component: () => import('./pages/ListPage.vue') },
    { path: '/o/:object/board/:field?', name: 'kanban', component: () => import('./pages/KanbanPage.vue') },
    { path: '/o/:object/new', name: 'new', component: () => import('./pages/NewRecordPage.vue') },
    { path: '/o/:object/import', name: 'import', component: () => import('./pages/ImportPage.vue') },
    { path: '/imports/:id', name: 'import-run', component: () => import('./pages/ImportPage.vue') },
    { path: '/o/:object/:id', name: 'record', component: () => import('./pages/RecordPage.vue') },
    { path: '/designer', name: 'designer', component: () => import('./pages/DesignerPage.vue'), meta: { admin: true } },
    {
      path: '/designer/:object',
      name: 'object-designer',
      component: () => import('./pages/ObjectDesignerPage.vue'),
      meta: { admin: true },
    },
    { path: '/plugins', name: 'plugins', component: () => import('./pages/PluginsPage.vue'), meta: { admin: true } },
    { path: '/workflows', name: 'workflows', component: () => import('./pages/WorkflowsPage.vue'), meta: { admin: true } },
    { path: '/workflows/runs/:run', name: 'workflow-run', component: () => import('./pages/WorkflowRunPage.vue'), meta: { admin: true } },
    { path: '/workflows/:id', name: 'workflow', component: () => import('./pages/WorkflowDesignerPage.vue'), meta: { admin: true } },
    { path: '/forbidden', name: 'forbidden', component: () => import('./pages/ErrorPage.vue'), props: { kind: 'forbidden' } },
    { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/ErrorPage.vue'), props: { kind: 'not-found' } },
  ],
});

router.beforeEach(async (to) => {
  const session = useSession();
  const user = await session.load();
  // No admin password yet: the setup page, and nothing else, until it is chosen; then it is gone.
  const pending = !user && (await session.setupStatus()).pending;
  if (to.name === 'setup') return pending ? true : user ? { path: '/' } : { name: 'sign-in' };
  if (pending) return { name: 'setup' };
  if (to.meta.public) return user && to.name === 'sign-in' ? { path: '/' } : true;
  if (!user) return { name: 'sign-in', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  await useMetadata()
    .load()
    .catch(() => undefined);
  if (to.meta.admin && !user.is_admin) return { name: 'forbidden' };
  return true;
});

setUnauthorizedHandler(() => {
  useSession().forget();
  useMetadata().reset();
  if (router.currentRoute.value.name !== 'sign-in')
    void router.push({ name: 'sign-in', query: { next: router.currentRoute.value.fullPath } });
});
