export { renderContent, resolveLanguage } from './render-content';
export { extractPlaceholders, parseTemplate, templateSyntaxErrors, valueToText } from './template';
export type { CelVars, Evaluate, ContentProductInput, RenderContentResult, ResponseContent, ResponseContentProduct, TemplateSegment } from './content.types';
