// Progress of a long transfer as one line: bytes so far, of how many, the average rate and the time left.
// Lines come at most every `everyMs` (the terminal redraws them; the plain log thins them out further).
export function byteMeter(label: string, total: number | undefined, emit?: (text: string) => void, everyMs = 500) {
  const begin = Date.now();
  let bytes = 0;
  let last = -Infinity;
  let shown = -1;
  const show = (now: number) => {
    last = now;
    shown = bytes;
    emit?.(transferLine(label, bytes, total, now - begin));
  };
  return {
    add(n: number): void {
      bytes += n;
      const now = Date.now();
      if (emit && now - last >= everyMs) show(now);
    },
    // The closing line, so the last thing shown is the whole transfer.
    done(): void {
      if (emit && shown !== bytes) show(Date.now());
    },
  };
}

// "upload cirros: 512 MiB of 1.0 GiB (50%), 210 MiB/s, 3 s left"
export function transferLine(label: string, bytes: number, total: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (bytes * 1000) / elapsedMs : 0;
  const known = total !== undefined && total > 0;
  const share = known ? ` of ${size(total)} (${Math.floor((bytes / total) * 100)}%)` : "";
  const left = known && rate > 0 ? `, ${duration(Math.max(0, total - bytes) / rate)} left` : "";
  return `${label}: ${size(bytes)}${share}, ${size(rate)}/s${left}`;
}

function size(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${i === 0 || n >= 100 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
