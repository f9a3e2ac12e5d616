/**
 * One colour per compared session, the same in the table, the chart and the width bars. The first
 * three follow the theme's chart colours; more sessions take fixed ones readable on both themes.
 */
const COLOURS = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', '#9467bd', '#17becf', '#bcbd22', '#e377c2', '#8c564b'];

export const sessionColour = (row: number) => COLOURS[row % COLOURS.length];

/** The file name of a project path, for labels where the whole path is too long. */
export const fileName = (path: string) => path.replace(/^.*[\\/]/, '');
