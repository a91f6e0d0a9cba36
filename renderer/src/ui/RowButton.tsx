/**
 * The small quiet button of a table row or a list item (Edit, Remove, Test …):
 * one place for its look, so the rows of every settings table stay alike.
 */
import type { ButtonHTMLAttributes } from 'react';

export function RowButton(props: Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type' | 'className'>) {
  return <button type="button" className="btn ghost small" {...props} />;
}
