import { Module } from '@nestjs/common';
import { PreferencesRepository } from './preferences.repository.js';

/**
 * The preferences table alone, for the areas that read or write preferences as part of their own
 * work (sidebar favourites), so that they need not import the preferences area, which calls them.
 */
@Module({
  providers: [PreferencesRepository],
  exports: [PreferencesRepository],
})
export class PreferencesCoreModule {}
