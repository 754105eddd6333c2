/** One row of an autocomplete list, whatever it completes. */
export interface Suggestion {
  /** Unique within the list (React key and the row's id). */
  key: string;
  /** The text that replaces what was typed, trigger and trailing space included ("@alice "). */
  replacement: string;
  /** The row's main text ("@alice", "Town Square", ":tada:", "/echo"). */
  primary: string;
  /** A quieter second text (a full name, a channel's name, a command's hint and description). */
  secondary?: string;
  /** A character shown before the text (a system emoji). */
  icon?: string;
  /** An image shown before the text (a custom emoji), a URL on this site. */
  imageUrl?: string;
}
