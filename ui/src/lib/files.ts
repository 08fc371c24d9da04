// Files chosen for upload: which formats are accepted, and reading one as base64 with progress.

export const ACCEPTED_EXTENSIONS = ['.csv', '.json', '.jsonl', '.parquet'] as const;

export function formatOfFileName(name: string): (typeof ACCEPTED_EXTENSIONS)[number] | null {
  const lower = name.toLowerCase();
  return ACCEPTED_EXTENSIONS.find((ext) => lower.endsWith(ext)) ?? null;
}

/** The base64 payload of a data: URL ("data:text/csv;base64,AAAA" → "AAAA"). */
export function base64OfDataUrl(dataUrl: string): string {
  const comma = dataUrl.indexOf(',');
  return comma < 0 ? '' : dataUrl.slice(comma + 1);
}

/** Reads a file as base64 (the browser encodes natively, so 100 MB files do not block the page). */
export function readFileAsBase64(file: Blob, onProgress?: (fraction: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress?.(e.loaded / e.total);
    };
    reader.onerror = () => reject(new Error(`could not read the file: ${reader.error?.message ?? 'unknown error'}`));
    reader.onload = () => resolve(base64OfDataUrl(String(reader.result)));
    reader.readAsDataURL(file);
  });
}
