// Which API face a URL belongs to: decides error format (PromptLayer vs FastAPI/Nebius).
export type Face = 'promptlayer' | 'nebius';

export function faceOf(url: string): Face {
  return url.startsWith('/v1/') || url === '/v1' ? 'nebius' : 'promptlayer';
}
