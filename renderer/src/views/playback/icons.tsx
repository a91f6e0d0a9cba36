/** Transport icons as inline SVG (no icon font: the console works offline on any system font). */
const P = { width: 14, height: 14, viewBox: '0 0 14 14', 'aria-hidden': true, focusable: false } as const;

export const IconPrevEvent = () => (
  <svg {...P}>
    <rect x="2" y="2" width="2" height="10" fill="currentColor" />
    <path d="M12 2 L5 7 L12 12 Z" fill="currentColor" />
  </svg>
);
export const IconNextEvent = () => (
  <svg {...P}>
    <path d="M2 2 L9 7 L2 12 Z" fill="currentColor" />
    <rect x="10" y="2" width="2" height="10" fill="currentColor" />
  </svg>
);
export const IconFrameBack = () => (
  <svg {...P}>
    <path d="M8 3 L3 7 L8 11 Z" fill="currentColor" />
    <rect x="10" y="3" width="1.6" height="8" fill="currentColor" />
  </svg>
);
export const IconFrameFwd = () => (
  <svg {...P}>
    <rect x="2.4" y="3" width="1.6" height="8" fill="currentColor" />
    <path d="M6 3 L11 7 L6 11 Z" fill="currentColor" />
  </svg>
);
export const IconPlay = () => (
  <svg {...P}>
    <path d="M3 2 L12 7 L3 12 Z" fill="currentColor" />
  </svg>
);
export const IconPause = () => (
  <svg {...P}>
    <rect x="3" y="2" width="3" height="10" fill="currentColor" />
    <rect x="8" y="2" width="3" height="10" fill="currentColor" />
  </svg>
);
