/**
 * The common system emoji the app offers by name (`:smile:`), with their characters: a short
 * built-in list instead of Mattermost's full table (thousands of entries, which would weigh on the
 * bundle). Names are Mattermost's short names (emoji-datasource), so what the autocomplete inserts
 * is what Mattermost's apps render. Custom emoji come from the server (GET /emoji/autocomplete).
 */
const LIST = `
smile 😄|smiley 😃|grinning 😀|blush 😊|relaxed ☺️|wink 😉|heart_eyes 😍|kissing_heart 😘|joy 😂|rolling_on_the_floor_laughing 🤣|sweat_smile 😅|laughing 😆
slightly_smiling_face 🙂|upside_down_face 🙃|innocent 😇|sunglasses 😎|nerd_face 🤓|thinking_face 🤔|neutral_face 😐|expressionless 😑
no_mouth 😶|smirk 😏|unamused 😒|face_with_rolling_eyes 🙄|grimacing 😬|relieved 😌|pensive 😔|sleepy 😪|sleeping 😴|mask 😷|face_with_thermometer 🤒
nauseated_face 🤢|sneezing_face 🤧|dizzy_face 😵|face_with_cowboy_hat 🤠|partying_face 🥳|confused 😕|worried 😟|frowning 😦|open_mouth 😮
hushed 😯|astonished 😲|flushed 😳|pleading_face 🥺|cry 😢|sob 😭|scream 😱|confounded 😖|persevere 😣|disappointed 😞|sweat 😓|weary 😩
tired_face 😫|yawning_face 🥱|triumph 😤|rage 😡|angry 😠|exploding_head 🤯|skull 💀|poop 💩|clown_face 🤡|ghost 👻|alien 👽|robot_face 🤖
smiley_cat 😺|heart_eyes_cat 😻|see_no_evil 🙈|hear_no_evil 🙉|speak_no_evil 🙊|wave 👋|raised_hand ✋|ok_hand 👌|v ✌️|crossed_fingers 🤞
+1 👍|-1 👎|fist 👊|clap 👏|raised_hands 🙌|open_hands 👐|pray 🙏|handshake 🤝|muscle 💪|point_up ☝️|point_right 👉|point_left 👈|eyes 👀
brain 🧠|heart ❤️|orange_heart 🧡|yellow_heart 💛|green_heart 💚|blue_heart 💙|purple_heart 💜|black_heart 🖤|broken_heart 💔|sparkling_heart 💖
100 💯|boom 💥|fire 🔥|sparkles ✨|star ⭐|star2 🌟|zap ⚡|rainbow 🌈|sunny ☀️|cloud ☁️|umbrella ☔|snowflake ❄️|tada 🎉|confetti_ball 🎊|gift 🎁
balloon 🎈|birthday 🎂|trophy 🏆|medal 🏅|dart 🎯|rocket 🚀|airplane ✈️|car 🚗|bike 🚲|coffee ☕|tea 🍵|beer 🍺|beers 🍻|wine_glass 🍷|pizza 🍕
hamburger 🍔|fries 🍟|cake 🍰|cookie 🍪|apple 🍎|banana 🍌|dog 🐶|cat 🐱|mouse 🐭|rabbit 🐰|fox_face 🦊|bear 🐻|panda_face 🐼|tiger 🐯|unicorn_face 🦄
bee 🐝|bug 🐛|snail 🐌|turtle 🐢|snake 🐍|octopus 🐙|whale 🐳|dolphin 🐬|tropical_fish 🐠|bird 🐦|penguin 🐧|chicken 🐔|rose 🌹|sunflower 🌻
tulip 🌷|cactus 🌵|evergreen_tree 🌲|palm_tree 🌴|four_leaf_clover 🍀|seedling 🌱|house 🏠|office 🏢|computer 💻|keyboard ⌨️|iphone 📱|phone ☎️
email 📧|calendar 📆|date 📅|memo 📝|pencil2 ✏️|book 📖|books 📚|bookmark 🔖|bulb 💡|mag 🔍|lock 🔒|unlock 🔓|key 🔑|hammer 🔨|wrench 🔧|gear ⚙️
link 🔗|paperclip 📎|pushpin 📌|bell 🔔|no_bell 🔕|loudspeaker 📢|speech_balloon 💬|thought_balloon 💭|zzz 💤|hourglass ⌛|alarm_clock ⏰|stopwatch ⏱️
white_check_mark ✅|heavy_check_mark ✔️|ballot_box_with_check ☑️|x ❌|negative_squared_cross_mark ❎|warning ⚠️|no_entry ⛔|no_entry_sign 🚫
question ❓|exclamation ❗|bangbang ‼️|heavy_plus_sign ➕|heavy_minus_sign ➖|arrow_up ⬆️|arrow_down ⬇️|arrow_right ➡️|arrow_left ⬅️|repeat 🔁
red_circle 🔴|large_blue_circle 🔵|white_circle ⚪|black_circle ⚫|checkered_flag 🏁|triangular_flag_on_post 🚩|construction 🚧|umbrella_on_ground ⛱️
palm_tree 🌴|earth_africa 🌍|globe_with_meridians 🌐|moneybag 💰|dollar 💵|chart_with_upwards_trend 📈|chart_with_downwards_trend 📉|bar_chart 📊
clipboard 📋|file_folder 📁|package 📦|musical_note 🎵|headphones 🎧|video_game 🎮|soccer ⚽|basketball 🏀|runner 🏃|walking 🚶|dancer 💃
male-technologist 👨‍💻|female-technologist 👩‍💻|baby 👶|thumbsup 👍|thumbsdown 👎|slightly_frowning_face 🙁|hugging_face 🤗|shushing_face 🤫
face_with_monocle 🧐|zipper_mouth_face 🤐|money_mouth_face 🤑|star-struck 🤩|hot_face 🥵|cold_face 🥶|woozy_face 🥴|sunrise 🌅|crescent_moon 🌙
calling 📲|spiral_calendar_pad 🗓️|date 📅|palm_tree 🌴|airplane_departure 🛫|car 🚗|house_with_garden 🏡|hospital 🏥|thermometer 🌡️|pill 💊
`;

export interface SystemEmoji {
  name: string;
  char: string;
}

/** Name → character, each name once (the first line that names it wins). */
export const SYSTEM_EMOJI: ReadonlyMap<string, string> = new Map(
  LIST.split(/[|\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const space = entry.indexOf(' ');
      return [entry.slice(0, space), entry.slice(space + 1)] as const;
    })
    .reverse(),
);

/**
 * The system emoji whose name starts with `term` (then those containing it), at most `limit`, as
 * Mattermost's emoji autocomplete orders them.
 */
export function matchSystemEmoji(term: string, limit = 10): SystemEmoji[] {
  const t = term.toLowerCase();
  const names = [...SYSTEM_EMOJI.keys()];
  const starts = names.filter((n) => n.startsWith(t)).sort();
  const contains = names.filter((n) => !n.startsWith(t) && n.includes(t)).sort();
  return [...starts, ...contains].slice(0, limit).map((name) => ({ name, char: SYSTEM_EMOJI.get(name)! }));
}

/** The character of a system emoji name ('' when it is not one the app knows). */
export const emojiChar = (name: string): string => SYSTEM_EMOJI.get(name) ?? '';
