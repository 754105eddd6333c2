/** Where each kind of completion gets its rows (the composer's SuggestionProvider). */
import { autocompleteChannels, autocompleteCommands, autocompleteCustomEmoji, autocompleteUsers, customEmojiImageUrl } from '../../../actions/autocomplete';
import { channelRows, commandRows, emojiRows, userRows } from '../../../components/autocomplete/rows';
import type { Suggestion } from '../../../components/autocomplete/suggestion';
import type { Completion } from '../../../components/autocomplete/token';

export function composerSuggestions(teamId: string, channelId: string) {
  return async (completion: Completion): Promise<Suggestion[]> => {
    switch (completion.kind) {
      case 'user': {
        const { members, others } = await autocompleteUsers(teamId, channelId, completion.term);
        return userRows(members, others, completion.term);
      }
      case 'channel':
        return channelRows(await autocompleteChannels(teamId, completion.term));
      case 'emoji': {
        // The built-in list answers at once; the server's custom emoji join it when they come.
        const custom = await autocompleteCustomEmoji(completion.term).catch(() => []);
        return emojiRows(completion.term, custom, customEmojiImageUrl);
      }
      case 'command':
        return commandRows(await autocompleteCommands(teamId, channelId, completion.term), completion.term);
    }
  };
}
