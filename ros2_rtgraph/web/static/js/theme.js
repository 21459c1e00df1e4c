// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// Light or dark: the system's choice (prefers-color-scheme, followed when it changes) until the
// viewer presses the theme button, whose choice this browser keeps (localStorage: per viewer,
// never sent to the bridge). The colours are rtgraph.css's, on <html data-theme>.

const KEY = 'rtgraph-theme';
const SYSTEM_DARK = window.matchMedia('(prefers-color-scheme: dark)');

// The viewer's own choice, or null (storage may be off: then the system's, every time).
function chosen() {
  try {
    const theme = localStorage.getItem(KEY);
    return theme === 'dark' || theme === 'light' ? theme : null;
  } catch {
    return null;
  }
}

function current() {
  return chosen() ?? (SYSTEM_DARK.matches ? 'dark' : 'light');
}

// Apply the theme now and whenever it changes; onChange(theme) after each change.
function startTheme(button, onChange) {
  const apply = () => {
    const theme = current();
    if (document.documentElement.dataset.theme === theme) return;
    document.documentElement.dataset.theme = theme;
    button.setAttribute('aria-pressed', String(theme === 'dark'));
    onChange(theme);
  };
  button.addEventListener('click', () => {
    try {
      localStorage.setItem(KEY, current() === 'dark' ? 'light' : 'dark');
    } catch {
      return; // no storage: the system decides
    }
    apply();
  });
  SYSTEM_DARK.addEventListener('change', () => {
    if (chosen() === null) apply();
  });
  apply();
}

// A colour of the theme in force: one of rtgraph.css's custom properties.
function themeColor(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export {startTheme, themeColor};
