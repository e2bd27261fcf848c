// A virtualised list of fixed-height rows (@tanstack/virtual-core): only the rows in view
// are in the DOM, so a page of thousands of runs scrolls smoothly.
import {
  Virtualizer,
  elementScroll,
  observeElementOffset,
  observeElementRect,
} from "@tanstack/virtual-core";
import { useLayoutEffect, useReducer, useRef, useState } from "preact/hooks";

export function VirtualRows({ count, rowHeight, maxHeight, renderRow, label }) {
  const scroller = useRef(null);
  const [, rerender] = useReducer((n) => n + 1, 0);
  const options = {
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    initialRect: { width: 800, height: maxHeight },
    onChange: () => rerender(),
  };
  const [virtualizer] = useState(() => new Virtualizer(options));
  virtualizer.setOptions({ ...virtualizer.options, ...options });
  useLayoutEffect(() => virtualizer._didMount(), []);
  useLayoutEffect(() => virtualizer._willUpdate());
  const total = virtualizer.getTotalSize();
  return (
    <div
      ref={scroller}
      class="virtual"
      style={{ maxHeight: `${maxHeight}px` }}
      role="rowgroup"
      aria-label={label}
    >
      <div style={{ height: `${total}px`, position: "relative" }}>
        {virtualizer.getVirtualItems().map((item) => (
          <div
            key={item.key}
            class="virtual-row"
            style={{ transform: `translateY(${item.start}px)`, height: `${rowHeight}px` }}
          >
            {renderRow(item.index)}
          </div>
        ))}
      </div>
    </div>
  );
}
