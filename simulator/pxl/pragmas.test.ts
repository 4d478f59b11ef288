import { describe, expect, it } from 'vitest'
import { compileErrorOf } from './fixtures'
import { DEFAULT_MAX_OUTPUT_ROWS_PER_TABLE, parseScriptFlags } from './pragmas'

describe('parseScriptFlags', () => {
  it('should default to 10,000 rows per table', () => {
    expect(DEFAULT_MAX_OUTPUT_ROWS_PER_TABLE).toBe(10000)
    expect(parseScriptFlags('import px\n').maxOutputRowsPerTable).toBe(10000)
  })

  it('should read max_output_rows_per_table from a #px:set line', () => {
    expect(
      parseScriptFlags('#px:set max_output_rows_per_table=25\nimport px\n').maxOutputRowsPerTable
    ).toBe(25)
  })

  it('should accept explain and analyze as booleans', () => {
    expect(parseScriptFlags('#px:set explain=true\n#px:set analyze=false\n')).toMatchObject({
      explain: true,
      analyze: false,
    })
  })

  it('should ignore ordinary comments that merely mention px', () => {
    expect(
      parseScriptFlags('# px:settings are described elsewhere\n#px:setting=1\n')
        .maxOutputRowsPerTable
    ).toBe(10000)
  })

  const malformed: [string, string, number, number][] = [
    [
      'import px\n#px:set max_output_rows_per_table 5\n',
      "Malformed #px:set line; expected exactly '#px:set key=value': #px:set max_output_rows_per_table 5",
      2,
      1,
    ],
    [
      '#px:set max_output_rows_per_table = 5\n',
      "Malformed #px:set line; expected exactly '#px:set key=value': #px:set max_output_rows_per_table = 5",
      1,
      1,
    ],
    ['#px:set\n', "Malformed #px:set line; expected exactly '#px:set key=value': #px:set", 1, 1],
    [
      'x = 1\n  #px:set max_output_rows_per_table=abc\n',
      "Invalid value for max_output_rows_per_table: 'abc' (expected a positive integer)",
      2,
      3,
    ],
    [
      '#px:set max_output_rows_per_table=0\n',
      "Invalid value for max_output_rows_per_table: '0' (expected a positive integer)",
      1,
      1,
    ],
    ['#px:set explain=yes\n', "Invalid value for explain: 'yes' (expected true or false)", 1, 1],
    ['#px:set no_such_flag=1\n', "Unknown #px:set flag 'no_such_flag'", 1, 1],
  ]
  for (const [src, message, line, column] of malformed) {
    it(`should reject ${JSON.stringify(src.trim())} at ${line}:${column}`, () => {
      expect(compileErrorOf(() => parseScriptFlags(src))).toEqual({ message, line, column })
    })
  }
})
