/**
 * Stands in for polyfill packages the bundle does not need (vite.config.ts aliases them here):
 * @mattermost/commonmark imports `string.prototype.repeat` for old browsers, and every browser
 * this app supports has String.prototype.repeat.
 */
export {};
