// @ts-check
/**
 * TypeDoc plugin for `npm run docs`: shows the type of each exported machine as `StateMachine`
 * instead of its inferred type arguments. Those arguments spell out every state, action, guard
 * and actor of the machine as anonymous object types: thousands of undocumentable members that
 * would drown the reference (and its `notDocumented` check), while the machine itself is described
 * by its TSDoc comment and its generated diagram in `docs/machines/`.
 */
import { Converter, ReferenceType, ReflectionKind, ReflectionType, Type } from 'typedoc';

/** The declarations of every anonymous object type nested anywhere in `type`. */
function nestedDeclarations(type, found = []) {
  if (type instanceof ReflectionType) found.push(type.declaration);
  for (const value of Object.values(type)) {
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) if (item instanceof Type) nestedDeclarations(item, found);
  }
  return found;
}

const isStateMachine = (type) =>
  type instanceof ReferenceType && type.name === 'StateMachine' && type.package === 'xstate';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const { project } = context;
    const typed = [
      ...project.getReflectionsByKind(ReflectionKind.Variable),
      ...project.getReflectionsByKind(ReflectionKind.CallSignature),
    ];
    for (const reflection of typed) {
      const type = reflection.type;
      if (!isStateMachine(type) || !type.typeArguments) continue;
      for (const declaration of type.typeArguments.flatMap((argument) => nestedDeclarations(argument))) {
        project.removeReflection(declaration);
      }
      type.typeArguments = undefined;
    }
  });
}
