// 我的数据与注销: loaded with the user-centre and my-data pages.
import { addMessages } from '../i18n.ts';
import { myDataMessages } from '../messages/myData.ts';

addMessages(myDataMessages);
