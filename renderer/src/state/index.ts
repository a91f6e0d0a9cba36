export { CamerasProvider, useCameras, type CamerasState } from './cameras.js';
export { SettingsProvider, useSettings, useTimeZone, type SettingsState } from './settings.js';
export { useNow } from './now.js';
export { useRoute, navigate, VIEWS, type ViewKey, type Route } from './route.js';
