/**
 * Snippets of the NewBie prompt language (Monaco snippet syntax: `$1` tab stops, `${2|a,b|}` choices, `$0` the
 * final cursor). The fields and their order are the official README example's (newbie-model.md §3).
 */
import { POSITIONS } from '../../../../shared/prompt';

/** The snippet of a new `<character_N>` block with the official fields (tab stops in order). */
export function characterSnippet(n: number, withOpenBracket = true): string {
  return [
    `${withOpenBracket ? '<' : ''}character_${n}>`,
    '  <n>$1</n>',
    '  <gender>${2|1girl,1boy,1other|}</gender>',
    '  <appearance>$3</appearance>',
    '  <clothing>$4</clothing>',
    '  <expression>$5</expression>',
    '  <action>$6</action>',
    `  <position>\${7|${['center', ...POSITIONS.filter((p) => p !== 'center')].join(',')}|}</position>`,
    `</character_${n}>`,
    '$0',
  ].join('\n');
}
