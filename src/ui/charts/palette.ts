// The reference's 15 chart colours (reference §8.4); entries past them are grey.

export const PALETTE = [
  '#3e95cd', '#8e5ea2', '#3cba9f', '#e8c3b9', '#c45850', '#ff8c00', '#483d8b', '#00bfff',
  '#1e90ff', '#008000', '#df42f4', '#c7f441', '#f47641', '#f44141', '#43f441',
] as const;

export const OTHER_COLOUR = '#E0E0E0';

export function colourAt(index: number): string {
  return PALETTE[index] ?? OTHER_COLOUR;
}
