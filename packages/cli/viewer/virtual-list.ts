/**
 * A virtualised list of fixed-height rows: only the rows in view exist in the DOM, so a list of
 * millions of rows scrolls as fast as one of ten. Past what a browser can make tall (about 16 M
 * pixels here) the scroll range is scaled.
 */

const MAX_PX = 8_000_000;

/** A scrolling list of `count` rows of `rowHeight` pixels, drawn by `render(i)`. */
export class VirtualList {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly layer: HTMLElement;
  private count = 0;
  private scheduled = false;

  constructor(
    className: string,
    readonly rowHeight: number,
    private readonly render: (index: number) => HTMLElement,
  ) {
    this.element = document.createElement("div");
    this.element.className = `vlist ${className}`;
    this.spacer = document.createElement("div");
    this.spacer.className = "vlist-spacer";
    this.layer = document.createElement("div");
    this.layer.className = "vlist-layer";
    this.element.append(this.spacer, this.layer);
    this.element.addEventListener("scroll", () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  /** Sets the number of rows and redraws. */
  setCount(count: number): void {
    this.count = count;
    this.spacer.style.height = `${Math.min(count * this.rowHeight, MAX_PX)}px`;
    this.draw();
  }

  private scaled(): boolean {
    return this.count * this.rowHeight > MAX_PX;
  }

  /** The first row in view. */
  firstVisible(): number {
    const el = this.element;
    if (!this.scaled()) return Math.floor(el.scrollTop / this.rowHeight);
    const visible = Math.ceil(el.clientHeight / this.rowHeight);
    const range = Math.max(1, MAX_PX - el.clientHeight);
    return Math.round((el.scrollTop / range) * Math.max(0, this.count - visible));
  }

  /** Scrolls so that row `index` is in view (centred when it was not). */
  reveal(index: number): void {
    const el = this.element;
    const visible = Math.max(1, Math.floor(el.clientHeight / this.rowHeight));
    const first = this.firstVisible();
    if (index >= first && index < first + visible - 1) {
      this.draw();
      return;
    }
    const target = Math.max(0, index - Math.floor(visible / 2));
    if (!this.scaled()) el.scrollTop = target * this.rowHeight;
    else el.scrollTop = (target / Math.max(1, this.count - visible)) * Math.max(1, MAX_PX - el.clientHeight);
    this.draw();
  }

  /** Redraws at the next frame. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  /** Redraws the rows in view now. */
  draw(): void {
    const el = this.element;
    const h = this.rowHeight;
    const first = this.firstVisible();
    const n = Math.min(this.count - first, Math.ceil((el.clientHeight || 600) / h) + 2);
    const top = this.scaled() ? el.scrollTop : first * h;
    this.layer.style.transform = `translateY(${top}px)`;
    const rows: HTMLElement[] = [];
    for (let i = 0; i < n; i++) {
      const row = this.render(first + i);
      row.style.height = `${h}px`;
      rows.push(row);
    }
    this.layer.replaceChildren(...rows);
  }
}
