// The Python SDK's log_request() sends `score: 0` (and no score_name) on every call, so that pair cannot mean "scored 0".

/** True when `score` is the SDK default rather than a real score: 0 with no score name. Such a log stays unscored. */
export function isDefaultScore(score: number | null | undefined, scoreName: string | null | undefined): boolean {
  return score === 0 && (scoreName === undefined || scoreName === null || scoreName.trim() === '');
}
