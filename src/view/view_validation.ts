import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { createAjv, describeProblem } from '../config/schema_registry.js';

/**
 * Makes the routes of one fastify scope validate with the project's Ajv (draft 2020-12,
 * strict, every schema under schemas/ loaded so a route can $ref a command's schema), and
 * answer a bad request with 400 and the field and problem, as a command error names them.
 */
export function useProjectValidation(scope: FastifyInstance): void {
  const ajv = createAjv({ useDefaults: false });
  const compiler: FastifySchemaCompiler<unknown> = ({ schema }) => {
    const validate = ajv.compile(schema as object);
    return (data: unknown) => {
      if (validate(data)) return { value: data };
      const problem = describeProblem(validate.errors);
      return { error: Object.assign(new Error(problem.message), { field: problem.field }) };
    };
  };
  scope.setValidatorCompiler(compiler);
  scope.setErrorHandler((error: unknown, _request, reply) => {
    const details = (typeof error === 'object' && error !== null ? error : {}) as { statusCode?: unknown; message?: unknown; field?: unknown };
    const statusCode = typeof details.statusCode === 'number' && details.statusCode >= 400 && details.statusCode < 500 ? details.statusCode : 500;
    void reply.code(statusCode).send({
      error: statusCode === 500 || typeof details.message !== 'string' ? 'Internal error in the web view' : details.message,
      ...(typeof details.field === 'string' ? { field: details.field } : {}),
    });
  });
}
