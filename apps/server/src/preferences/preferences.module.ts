import { Module } from '@nestjs/common';
import { CategoriesModule } from '../categories/categories.module.js';
import { PreferencesController } from './preferences.controller.js';
import { PreferencesCoreModule } from './preferences-core.module.js';
import { PreferencesService } from './preferences.service.js';

/** A user's preferences; saving a favourite also moves the channel in the sidebar (the categories area). */
@Module({
  imports: [PreferencesCoreModule, CategoriesModule],
  controllers: [PreferencesController],
  providers: [PreferencesService],
  exports: [PreferencesService, PreferencesCoreModule],
})
export class PreferencesModule {}
