/**
 * Element Plus in the console is imported where it is used: templates' <el-…> components and v-loading
 * are resolved per page at build time (unplugin-vue-components in vite.config.ts), so each route's chunk
 * carries only its own components and their CSS. What scripts call directly — the message and the
 * message box services — has its CSS here, loaded with the console's shell.
 */
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';
