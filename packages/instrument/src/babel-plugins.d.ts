// The Babel 7 plugins ship no type declarations; they are Babel plugin factories.
declare module "@babel/plugin-transform-typescript" {
  const plugin: import("@babel/core").PluginItem;
  export default plugin;
}
declare module "@babel/plugin-transform-react-jsx" {
  const plugin: import("@babel/core").PluginItem;
  export default plugin;
}
declare module "@babel/plugin-transform-modules-commonjs" {
  const plugin: import("@babel/core").PluginItem;
  export default plugin;
}
declare module "@babel/plugin-proposal-decorators" {
  const plugin: import("@babel/core").PluginItem;
  export default plugin;
}
declare module "@babel/plugin-transform-class-properties" {
  const plugin: import("@babel/core").PluginItem;
  export default plugin;
}

declare module "@babel/plugin-transform-explicit-resource-management" {
  const plugin: import("@babel/core").PluginItem;
  export default plugin;
}
